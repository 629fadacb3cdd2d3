// Adds up the priced lines that the Map returned (an array, in the input's order).
exports.handler = async ({ orderId, currency, lines }) => {
  const sum = (key) => Math.round(lines.reduce((s, l) => s + l[key], 0) * 100) / 100;
  const total = { net: sum("net"), tax: sum("tax"), gross: sum("gross") };
  console.log(`${orderId}: ${lines.length} lines, ${total.gross} ${currency} to pay`);
  return { orderId, currency, lines: lines.length, ...total };
};
