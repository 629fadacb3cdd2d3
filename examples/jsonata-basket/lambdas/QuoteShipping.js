// Called through the lambda:invoke integration: the event is the Arguments' "Payload",
// and the state sees the answer as $states.result.Payload.
exports.handler = async ({ items, subtotal }) => {
  const price = 3.9 + items * 0.5;
  console.log(`${items} item(s) worth ${subtotal}: shipping costs ${price}`);
  return { price };
};
