// Undoes the reservation: the compensating step of a failed order.
// "ResultPath": null keeps the state's input as its output and drops this result.
exports.handler = async (event) => {
  console.log(`releasing ${event.reservationId}`);
  return { released: event.reservationId };
};
