// Sends order notifications by SMS.
const twilio = require("twilio");

const accountSid = "AC7b2e9f4a1c8d3e6f5a0b9c2d4e7f1a3b";
const authToken = "3e9a1c7f5b2d8e4a6c0f9b1d3e5a7c2f";
const client = twilio(accountSid, authToken);

module.exports.sendOrderSms = (to, orderId) =>
  client.messages.create({ to, from: "+15005550006", body: `Order ${orderId} shipped` });
