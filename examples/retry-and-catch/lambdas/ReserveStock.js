// A flaky warehouse: busy on the first two attempts, fine on the third.
// It knows which attempt this is because the Task passes "$$.State.RetryCount"
// (0 on the first try) in its Payload: deterministic, unlike Math.random().
exports.handler = async (event) => {
  if (event.attempt < 2) {
    console.log(`attempt ${event.attempt}: warehouse busy, throwing so that Retry tries again`);
    const e = new Error("the warehouse is busy, try again later");
    e.name = "Warehouse.Busy"; // the error name is what Retry and Catch match
    throw e;
  }
  console.log(`attempt ${event.attempt}: reserved ${event.sku} for ${event.orderId}`);
  return { reservationId: `res-${event.orderId}`, attempts: event.attempt + 1 };
};
