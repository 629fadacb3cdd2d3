// One Map iteration per record: normalise the region and convert the revenue to euros.
exports.handler = async ({ record, rates }) => {
  const revenueEur = Math.round(record.qty * record.price * rates[record.currency] * 100) / 100;
  const region = record.region.toUpperCase();
  console.log(`${record.sku} x${record.qty} in ${region}: ${revenueEur} EUR`);
  return { date: record.date, region, sku: record.sku, qty: record.qty, revenueEur };
};
