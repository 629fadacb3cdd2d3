// An approver's decision. Managers sign off travel and equipment up to 2,000;
// the CFO signs off anything with receipts. Try other amounts and categories in the input.
const limits = { manager: 2000, cfo: Infinity };

exports.handler = async (event) => {
  console.log(`${event.approver} reviews ${event.expenseId}: ${event.amount} for ${event.category}`);
  const withinLimit = event.amount <= limits[event.approver];
  const allowed = event.approver === "cfo" || ["travel", "equipment"].includes(event.category);
  const decision = withinLimit && allowed ? "APPROVED" : "REJECTED";
  console.log(`decision: ${decision}`);
  return {
    decision,
    by: event.approver,
    note: decision === "APPROVED" ? "ok" : `a ${event.approver} cannot approve this claim`,
  };
};
