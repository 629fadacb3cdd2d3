// The fan-in: ResultSelector named the branch results, ResultPath put them under "checks".
exports.handler = async (order) => {
  const { credit, fraud, shipping } = order.checks;
  const accepted = credit.approved && fraud.score < 0.5;
  console.log(`credit ${credit.approved ? "ok" : "refused"}, fraud ${fraud.score}, ships in ${shipping.days} day(s)`);
  return {
    orderId: order.orderId,
    decision: accepted ? "ACCEPTED" : "REVIEW",
    deliveryDays: shipping.days,
  };
};
