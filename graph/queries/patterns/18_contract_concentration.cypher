// ---
// id: contract_concentration
// title_zh: 村级工程过度集中于同一承包方
// title_en: One contractor holds most of a village's contracts
// severity: low
// category: interest
// description: >
//   In one calendar year (by signing date), one contractor holds more than `share` of
//   the total value of a village's contracts, across `min_contracts` or more contracts.
//   Contracts signed after `as_of` are not counted.
// params:
//   share:
//     type: float
//     default: 0.5
//     help: share of the village's yearly contract value above which it is reported (0-1)
//   min_contracts:
//     type: int
//     default: 3
//     help: the contractor must hold at least this many contracts in the year
// explanation: "{year}年{village}共签订合同{village_n}份、总额{village_total:yuan}，其中{contractor}承接{n}份（{contracts:list}），合计{total:yuan}，占{percent}。"
// ---
MATCH (c:Contract)-[:AWARDED_TO]->(k)
WHERE c.signed IS NOT NULL AND c.amount IS NOT NULL AND c.village_code IS NOT NULL
  AND c.signed <= $as_of
WITH c.village_code AS vc, left(c.signed, 4) AS year, k, c ORDER BY c.signed, c.contract_id
// toInteger: FalkorDB's sum() returns a float even over integers.
WITH vc, year, k, collect(c) AS cs, toInteger(sum(c.amount)) AS mine
WITH vc, year, collect({k: k, cs: cs, mine: mine}) AS per, toInteger(sum(mine)) AS all_value,
     toInteger(sum(size(cs))) AS all_n
UNWIND per AS x
WITH vc, year, all_value, all_n, x.k AS k, x.cs AS cs, x.mine AS mine
WHERE size(cs) >= $min_contracts AND all_value > 0 AND mine > $share * all_value
UNWIND cs AS c
MATCH pa = (c)-[:AWARDED_TO]->(k)
WITH vc, year, all_value, all_n, k, mine, cs, collect(pa) AS evidence
OPTIONAL MATCH (v:Division {code: vc})
// Per mille as integers, so both engines print the same percentage.
WITH vc, year, all_value, all_n, k, mine, cs, evidence, v,
     toInteger(round(1000.0 * mine / all_value)) AS pm
RETURN [coalesce(k.uscc, k.id_number, k.mention_id)] + [c IN cs | c.contract_id] AS subjects,
       evidence + [v] AS evidence,
       {year: year, village: coalesce(v.name, vc), village_n: all_n, village_total: all_value,
        contractor: k.name, n: size(cs), total: mine,
        contracts: [c IN cs | c.contract_id + '「' + coalesce(c.project_name, '') + '」'],
        percent: toString(pm / 10) + CASE WHEN pm % 10 = 0 THEN '' ELSE '.' + toString(pm % 10) END + '%'} AS facts
