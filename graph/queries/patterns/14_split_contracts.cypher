// ---
// id: split_contracts
// title_zh: 拆分合同规避招标
// title_en: Contracts split to avoid a tender
// severity: medium
// category: interest
// description: >
//   One contractor wins two or more contracts of one village without public tender
//   (procurement not in `tender_methods`), signed within `window_days` of each other,
//   each under the tender threshold and together at or above it. Contracts are grouped
//   by windows that start at a contract and run `window_days`; a window is reported
//   only when no earlier window already holds all its contracts, so one run of split
//   contracts is one finding, not one per pair. Contracts signed after `as_of` are not
//   counted.
// params:
//   threshold:
//     type: money
//     default: 10000000
//     help: public tender threshold (fen); 10,000,000 fen = 100,000 yuan
//   window_days:
//     type: int
//     default: 90
//     help: contracts signed at most this many days apart count as one job
//   tender_methods:
//     type: str_list
//     default: [公开招标]
//     help: procurement methods that are a public tender (such contracts are not counted)
// explanation: "{contractor}{period}承接{village}合同{n}份（{contracts:list}），采购方式为{methods:list}，单份金额均低于公开招标限额{threshold:yuan}，合计{total:yuan}，达到限额，疑似拆分规避招标。"
// ---
MATCH (c:Contract)-[:AWARDED_TO]->(k)
WHERE c.signed_day IS NOT NULL AND c.amount IS NOT NULL AND c.amount < $threshold
  AND c.village_code IS NOT NULL AND c.signed <= $as_of
WITH c, k, coalesce(c.procurement, '') IN $tender_methods AS tendered
WHERE NOT tendered
WITH k, c.village_code AS vc, collect(c) AS cs
WHERE size(cs) >= 2
UNWIND cs AS a
// The window starting at contract a: contracts from a (ties broken by id) to a + window.
WITH k, vc, cs, a,
     [x IN cs WHERE x.signed_day <= a.signed_day + $window_days
                AND (x.signed_day > a.signed_day
                     OR (x.signed_day = a.signed_day AND x.contract_id >= a.contract_id))] AS win
WITH k, vc, cs, a, win, reduce(s = 0, x IN win | s + x.amount) AS total,
     reduce(m = a.signed_day, x IN win | CASE WHEN x.signed_day > m THEN x.signed_day ELSE m END) AS last_day
WHERE size(win) >= 2 AND total >= $threshold
// Keep only maximal windows: an earlier start whose window reaches last_day holds them all.
WITH k, vc, a, win, total, last_day,
     size([b IN cs WHERE (b.signed_day < a.signed_day
                          OR (b.signed_day = a.signed_day AND b.contract_id < a.contract_id))
                     AND b.signed_day + $window_days >= last_day]) AS covered
WHERE covered = 0
UNWIND win AS x
MATCH pa = (x)-[:AWARDED_TO]->(k)
WITH k, vc, a, total, last_day, x, pa ORDER BY x.signed, x.contract_id
WITH k, vc, a, total, last_day,
     collect(pa) AS evidence, collect(x.contract_id) AS ids,
     collect(x.contract_id + '（' + x.signed + '，' + coalesce(x.project_name, '') + '）') AS contracts,
     collect(DISTINCT coalesce(x.procurement, '未注明')) AS methods, max(x.signed) AS last
OPTIONAL MATCH pv = (a)-[:IN_DIVISION]->(v:Division)
RETURN [coalesce(k.uscc, k.id_number, k.mention_id)] + ids AS subjects,
       evidence + [pv] AS evidence,
       {contractor: k.name, village: coalesce(v.name, vc),
        period: CASE WHEN last = a.signed THEN '于' + last + '同日'
                     ELSE '于' + a.signed + '至' + last + '（' + toString(last_day - a.signed_day) + '天内）' END,
        n: size(ids), contracts: contracts, methods: methods,
        threshold: $threshold, total: total} AS facts
