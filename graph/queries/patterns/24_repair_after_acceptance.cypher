// ---
// id: repair_after_acceptance
// title_zh: 验收后短期内重复支付维修
// title_en: Works paid again as repair soon after acceptance
// severity: medium
// category: loss_waste
// description: >
//   Works accepted as complete, then paid for again as repair within `within_days` days
//   of acceptance: a contract of the same village whose project is the accepted project
//   (its name up to 工程, without 建设, 新建 or 改造) with a repair word (维修, 修复, 返修 …), signed after the
//   acceptance, and paid. Only what was signed and paid by `as_of` counts. The evidence
//   holds both contracts, their village and contractors, and the repair's payments.
// params:
//   within_days:
//     type: int
//     default: 365
//     help: days after acceptance within which a repair is suspect
//   repair_words:
//     type: str_list
//     default: [维修, 修复, 返修, 整修, 修缮, 维护, 加固]
//     help: words in a project name that mark a repair
// explanation: "{village}「{project}」（合同{contract}，{contractor}承建）于{accepted}验收合格，{gap}天后又签订「{repair}」（合同{repair_contract}，{repairer}承接，{signed}签订），已支付维修款{paid:yuan}。"
// ---
MATCH (c:Contract)
WHERE c.accepted IS NOT NULL AND c.accepted <= $as_of AND c.accepted_day IS NOT NULL
  AND c.project_name IS NOT NULL
MATCH pv = (c)-[:IN_DIVISION]->(v:Division)
// The project's core: its name up to 工程, without 建设 / 新建 / 改造 (「便民桥建设工程」 → 「便民桥」).
WITH c, pv, v, replace(replace(replace(split(c.project_name, '工程')[0], '建设', ''), '新建', ''), '改造', '') AS core
WHERE size(core) >= 2
// The village's contracts through the indexed village code: the village node's IN_DIVISION
// links are mostly disbursements, and without this Neo4j scans every contract per contract.
MATCH (r:Contract)
WHERE r.village_code = c.village_code AND r.contract_id <> c.contract_id
  AND r.signed IS NOT NULL AND r.signed >= c.accepted
  AND r.signed <= $as_of AND r.signed_day - c.accepted_day <= $within_days
  AND r.project_name CONTAINS core
MATCH pr = (v)<-[:IN_DIVISION]-(r)
// FalkorDB 4.16 drops every row when a list predicate over $repair_words stands in the
// MATCH's WHERE; computed in a WITH it works on both engines.
WITH c, pv, v, r, pr, [w IN $repair_words WHERE r.project_name CONTAINS w AND NOT core CONTAINS w] AS words
WHERE size(words) > 0
MATCH pp = (r)<-[:FOR_CONTRACT]-(p:Payment)
WHERE p.paid_date IS NULL OR p.paid_date <= $as_of
WITH c, pv, v, r, pr, collect(pp) AS pps, sum(coalesce(p.amount, 0)) AS paid
OPTIONAL MATCH pa = (c)-[:AWARDED_TO]->(k)
OPTIONAL MATCH pb = (r)-[:AWARDED_TO]->(kr)
RETURN [c.contract_id, r.contract_id] AS subjects,
       [pv, pr, pa, pb] + pps AS evidence,
       {village: coalesce(v.name, c.village_code), project: c.project_name,
        contract: c.contract_id, contractor: coalesce(k.name, '（承包方不详）'),
        accepted: c.accepted, gap: r.signed_day - c.accepted_day, repair: r.project_name,
        repair_contract: r.contract_id, repairer: coalesce(kr.name, '（承包方不详）'),
        signed: r.signed, paid: paid} AS facts
