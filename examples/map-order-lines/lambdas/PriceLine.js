// Runs once per order line. The event is what the Map's ItemSelector built:
// { index, line, currency, taxRate }; the Map collects the results in order.
const round = (x) => Math.round(x * 100) / 100;

exports.handler = async ({ index, line, currency, taxRate }) => {
  const net = round(line.qty * line.unitPrice * (1 - (line.discount ?? 0)));
  const tax = round(net * taxRate);
  console.log(`line ${index}: ${line.qty} x ${line.sku} = ${net} ${currency} + ${tax} tax`);
  return { sku: line.sku, net, tax, gross: round(net + tax) };
};
