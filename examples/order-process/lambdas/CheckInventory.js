// Checks that every item of the order is in stock.
const stock = { "BOOK-1": 10, "MUG-7": 0 };

exports.handler = async (event) => {
  const missing = event.items.filter((i) => (stock[i.sku] ?? 0) < i.qty);
  console.log(`checked ${event.items.length} item(s) for ${event.orderId}`);
  if (missing.length > 0) {
    const e = new Error(`out of stock: ${missing.map((i) => i.sku).join(", ")}`);
    e.name = "OutOfStock";
    throw e;
  }
  return { ...event, inStock: true };
};
