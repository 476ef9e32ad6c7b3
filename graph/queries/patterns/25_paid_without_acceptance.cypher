// ---
// id: paid_without_acceptance
// title_zh: 未验收即全额付款
// title_en: Contract paid in full without acceptance
// severity: medium
// category: loss_waste
// description: >
//   A works contract paid in full (the vouchers against it reach `full_share` of the
//   contract amount) although its acceptance never happened: no acceptance date, or one
//   after `as_of`. Vouchers paid after `as_of` are not counted. The evidence holds the
//   contract, its village and contractor, and every voucher paid against it.
// params:
//   full_share:
//     type: float
//     default: 1.0
//     help: share of the contract amount that counts as paid in full
// explanation: "{village}合同{contract}「{project}」（{contractor}承接，{signed}签订，金额{amount:yuan}）截至{as_of}未经验收，已于{first}至{last}分{n}笔支付{paid:yuan}。"
// ---
MATCH (c:Contract)
WHERE (c.accepted IS NULL OR c.accepted > $as_of) AND coalesce(c.amount, 0) > 0
MATCH pp = (c)<-[:FOR_CONTRACT]-(p:Payment)
WHERE p.paid_date IS NULL OR p.paid_date <= $as_of
WITH c, collect(pp) AS pps, sum(coalesce(p.amount, 0)) AS paid, count(p) AS n,
     min(p.paid_date) AS first, max(p.paid_date) AS last
WHERE paid >= c.amount * $full_share
OPTIONAL MATCH pa = (c)-[:AWARDED_TO]->(k)
OPTIONAL MATCH pv = (c)-[:IN_DIVISION]->(v:Division)
RETURN [c.contract_id, coalesce(k.uscc, k.id_number, k.mention_id)] AS subjects,
       [pa, pv] + pps AS evidence,
       {village: coalesce(v.name, c.village_code), contract: c.contract_id,
        project: coalesce(c.project_name, '（未命名项目）'), contractor: coalesce(k.name, '（承包方不详）'),
        signed: coalesce(c.signed, '（日期不详）'), amount: c.amount, as_of: $as_of,
        first: coalesce(first, '（日期不详）'), last: coalesce(last, '（日期不详）'), n: n, paid: paid} AS facts
