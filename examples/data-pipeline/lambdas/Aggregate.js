// The reduce step: totals per region and per product over the transformed records.
exports.handler = async ({ batchId, records }) => {
  const byRegion = {};
  const bySku = {};
  for (const r of records) {
    byRegion[r.region] = Math.round(((byRegion[r.region] ?? 0) + r.revenueEur) * 100) / 100;
    bySku[r.sku] = (bySku[r.sku] ?? 0) + r.qty;
  }
  const total = Math.round(records.reduce((s, r) => s + r.revenueEur, 0) * 100) / 100;
  console.log(`${batchId}: ${records.length} records, ${total} EUR in total`);
  console.log("by region:", byRegion);
  return { batchId, records: records.length, revenueEur: total, byRegion, unitsBySku: bySku };
};
