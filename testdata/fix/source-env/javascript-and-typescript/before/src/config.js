// config
const config = {
  slackToken: "xoxb-1234567890123-1234567890123-FAKEfakeFAKEfake01234567",
  region: 'us-east-1',
};
module.exports = config;
