// Declines test cards ending in 0002, like a payment provider's sandbox.
// Change the card in the input to take the happy path.
exports.handler = async (event) => {
  console.log(`charging ${event.amount} to card ending ${event.card.slice(-4)}`);
  if (event.card.endsWith("0002")) {
    const e = new Error(`card ending ${event.card.slice(-4)} was declined`);
    e.name = "Payment.CardDeclined"; // not retried: only Payment.Timeout is; the Catch takes it
    throw e;
  }
  return { chargeId: `ch-${event.orderId}`, amount: event.amount };
};
