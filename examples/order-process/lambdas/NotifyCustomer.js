// Tells the customer that the order is on its way.
exports.handler = async (event) => {
  const message = `Hi ${event.customer}, order ${event.orderId} is confirmed.`;
  console.log(message);
  return { orderId: event.orderId, status: "CONFIRMED", message };
};
