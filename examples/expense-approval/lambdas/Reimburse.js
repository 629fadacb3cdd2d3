// Pays the employee back. The whole state input arrives as the event, because the
// Task has no Parameters; ResultPath "$.payment" then puts our answer next to it.
exports.handler = async (event, context) => {
  console.log(`paying ${event.amount} to ${event.employee} (approved by ${event.approval.by})`);
  return { transferId: `tr-${context.awsRequestId.slice(0, 8)}`, amount: event.amount };
};
