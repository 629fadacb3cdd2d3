// Branch 2: a toy fraud score between 0 (fine) and 1 (suspicious).
exports.handler = async ({ customerId, country, amount }) => {
  const score = Math.min(1, amount / 5000 + (["NL", "DE", "FR"].includes(country) ? 0 : 0.3));
  console.log(`fraud score for ${customerId} in ${country}: ${score.toFixed(2)}`);
  return { score: Math.round(score * 100) / 100 };
};
