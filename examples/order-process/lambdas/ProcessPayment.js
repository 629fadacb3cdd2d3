// Charges the customer for the order.
exports.handler = async (event, context) => {
  const total = event.items.reduce((sum, i) => sum + i.qty * i.price, 0);
  console.log(`charging ${total.toFixed(2)} to ${event.customer}`);
  return { ...event, payment: { id: `pay-${context.awsRequestId.slice(0, 8)}`, total } };
};
