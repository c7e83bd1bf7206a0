// config
const config = {
  slackToken: process.env.SLACK_TOKEN,
  region: 'us-east-1',
};
module.exports = config;
