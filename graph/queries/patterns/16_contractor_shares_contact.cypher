// ---
// id: contractor_shares_contact
// title_zh: 承包企业与公职人员联系方式相同
// title_en: Contractor shares contact details with an official
// severity: medium
// category: interest
// description: >
//   The contractor enterprise's registered phone or address is that of an official with
//   jurisdiction over the contract's village or over the village that paid for it (a
//   post governing the village, its township or its county), or of a member of the
//   official's household (including the household's registered address), and the
//   official was in office when the contract was signed. One finding per enterprise and
//   official, naming every such contract. Contracts signed after `as_of` are not counted.
// explanation: "{contractor}的登记联系方式与{official}（{posts:list}）相同：{matches:list}；{official}在任期间，该企业承接其管辖范围内合同{n}份：{contracts:list}，合计{total:yuan}。"
// ---
// Contact details are joined by grouping on the value (neither engine has an index on
// addresses, and FalkorDB would compare every pair): one side is every official with a
// post governing a division and each member of the official's household (the household
// itself for its registered address), the other every contractor enterprise. FalkorDB
// 4.16: the WITH right after the subquery is needed, and no comment may stand between
// the subquery's closing brace and that WITH (the server crashes).
CALL {
  MATCH (p:Post)-[:GOVERNS]->(:Division)
  MATCH (o)-[:HOLDS]->(p)
  WITH DISTINCT o
  MATCH (o)-[:MEMBER_OF*0..2]-(m)
  WITH o, m
  WHERE m.phone IS NOT NULL
  RETURN '联系电话' AS kind, m.phone AS value, o, m, null AS e
  UNION ALL
  MATCH (p:Post)-[:GOVERNS]->(:Division)
  MATCH (o)-[:HOLDS]->(p)
  WITH DISTINCT o
  MATCH (o)-[:MEMBER_OF*0..2]-(m)
  WITH o, m
  WHERE m.address IS NOT NULL
  RETURN '住址' AS kind, m.address AS value, o, m, null AS e
  UNION ALL
  MATCH (:Contract)-[:AWARDED_TO]->(e)
  WITH DISTINCT e
  WHERE e:Enterprise AND e.phone IS NOT NULL
  RETURN '联系电话' AS kind, e.phone AS value, null AS o, null AS m, e
  UNION ALL
  MATCH (:Contract)-[:AWARDED_TO]->(e)
  WITH DISTINCT e
  WHERE e:Enterprise AND e.address IS NOT NULL
  RETURN '住址' AS kind, e.address AS value, null AS o, null AS m, e
}
WITH kind, value, o, m, e
WITH kind, value, collect(e) AS es, collect(o) AS os, collect(m) AS ms
WHERE size(es) > 0 AND size(os) > 0
UNWIND es AS e
UNWIND range(0, size(os) - 1) AS i
WITH e, os[i] AS o, ms[i] AS m, kind, value
// The enterprise's contracts under the official's jurisdiction, signed while in office:
// the post governs the contract's village, or the village that paid for it, or their
// township or county (division codes nest by prefix).
MATCH pa = (e)<-[:AWARDED_TO]-(c)
WHERE c:Contract AND c.signed IS NOT NULL AND c.signed <= $as_of
OPTIONAL MATCH (c)<-[:FOR_CONTRACT]-(:Payment)-[:PAID_BY]->(pd:Division)
WITH e, o, m, kind, value, c, pa, [x IN collect(DISTINCT pd.code) WHERE x IS NOT NULL] + [c.village_code] AS places
MATCH pj = (o)-[h:HOLDS]->(post)-[:GOVERNS]->(d)
WITH e, o, m, kind, value, c, pa, pj, h, post, d,
     size([x IN places WHERE x STARTS WITH d.code]) AS within
WHERE within > 0 AND (h.valid_from IS NULL OR h.valid_from <= c.signed)
  AND (h.valid_to IS NULL OR h.valid_to >= c.signed)
// How the official is tied to the matching person or household.
MATCH pm = (o)-[:MEMBER_OF*0..2]-(m)
WITH e, o, m, kind, value, c, pa, pj, post, d, pm, relationships(pm) AS ms
WITH e, o, m, c, pa, pj, post, d, pm,
     CASE size(ms) WHEN 0 THEN '本人' WHEN 1 THEN '其家庭户'
          ELSE '同户家庭成员（' + coalesce(ms[1].relation_to_head, '成员') + '）' + coalesce(m.name, '') END
       + '的' + kind + value AS match
// How the contract's village (or the paying village) lies within the governed division.
OPTIONAL MATCH pv = (c)-[:IN_DIVISION]->(:Division)-[:PART_OF*0..2]->(d)
OPTIONAL MATCH pz = (c)<-[:FOR_CONTRACT]-(:Payment)-[:PAID_BY]->(:Division)-[:PART_OF*0..2]->(d)
WITH e, o, m, c, pa, pj, post, pm, match, pv, pz ORDER BY c.signed, c.contract_id, match
WITH e, o,
     collect(DISTINCT c) AS cs, collect(DISTINCT m.id_number) AS mids, collect(DISTINCT match) AS matches,
     collect(DISTINCT coalesce(post.organisation, '') + coalesce(post.position, '')) AS posts,
     collect(DISTINCT pa) + collect(DISTINCT pj) + collect(DISTINCT pm) + collect(DISTINCT pv)
       + collect(DISTINCT pz) AS evidence
RETURN [e.uscc, o.id_number] + mids + [x IN cs | x.contract_id] AS subjects,
       evidence,
       {contractor: e.name, official: o.name, posts: posts, matches: matches, n: size(cs),
        contracts: [x IN cs | x.contract_id + '「' + coalesce(x.project_name, '') + '」（'
                               + x.signed + '签订）'],
        total: reduce(s = 0, x IN cs | s + coalesce(x.amount, 0))} AS facts
