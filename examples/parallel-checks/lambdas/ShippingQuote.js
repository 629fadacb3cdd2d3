// Branch 3, after a Pass state picked the warehouse: the Pass's output is this event.
exports.handler = async ({ country, warehouse }) => {
  const days = country === "NL" ? 1 : 3;
  console.log(`shipping from ${warehouse} to ${country}: ${days} day(s)`);
  return { warehouse, days, price: days * 4.5 };
};
