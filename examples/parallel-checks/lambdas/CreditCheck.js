// Branch 1 of the Parallel state. Every branch gets the same input: the Parallel's own.
exports.handler = async ({ customerId, amount }) => {
  const limit = 1000;
  console.log(`credit check for ${customerId}: ${amount} of ${limit} limit`);
  return { approved: amount <= limit, limit };
};
