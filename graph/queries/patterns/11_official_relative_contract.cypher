// ---
// id: official_relative_contract
// title_zh: 公职人员亲属承揽工程
// title_en: Official's relative wins a contract
// severity: high
// category: interest
// description: >
//   An official or village cadre with jurisdiction over the contract's village (a post
//   that governs the village, its township or its county), or the contract's approver,
//   was in office when the contract was signed, and the contractor is the official, a
//   member of the official's household, a relative the official declared, or an
//   enterprise that any of them represents (legal representative), owns or directs.
//   Name-only persons (mentions) count through their entity-resolution link unless a
//   reviewer rejected it; a role carrying valid_from / valid_to must cover the signing
//   date. One finding per official and contract; the evidence holds every chain from the
//   official to the contractor, and the post (with the division chain) or the approval
//   that gives the official a say over the contract.
// params:
//   roles:
//     type: str_list
//     default: [股东, 执行董事, 董事, 经理]
//     help: enterprise roles (ROLE_IN.role) that count as owning or directing the contractor
// explanation: "{official}（{posts:list}）：{village}合同{contract}「{project}」（{signed}签订，金额{amount:yuan}）由{contractor}承接，承包方系其{links:list}。"
// ---
// Anchored on the few thousand people who have a say over contracts (holders of a post
// that governs a division, and approvers), not on the county's million residents.
// FalkorDB 4.16: the WITH right after the subquery is needed (variables returned by a
// union subquery are not seen as bound by the next clause), and no comment may stand
// between the subquery's closing brace and that WITH (the server crashes).
CALL {
  MATCH (:Contract)-[:APPROVED_BY]->(o)
  RETURN o
  UNION
  MATCH (p:Post)-[:GOVERNS]->(:Division)
  MATCH (o)-[:HOLDS]->(p)
  RETURN o
}
WITH o
// People close to the official: the official, a household member, or a relative the
// official declared (directly or as a mention resolved to the person). Far-end labels
// are tested in WHERE: written into the pattern, FalkorDB plans a scan of every Person.
MATCH pr = (o)-[:MEMBER_OF|RELATIVE_OF|RESOLVED_TO*0..2]-(q)
WITH o, pr, q, relationships(pr) AS rs
WITH o, pr, q, rs, [r IN rs | type(r)] AS ts,
     size([r IN rs WHERE type(r) = 'RELATIVE_OF' AND startNode(r) <> o]) AS backwards,
     size([r IN rs WHERE type(r) = 'RESOLVED_TO' AND coalesce(r.judgement, '') = 'rejected']) AS rejected
WHERE q:Person AND backwards = 0 AND rejected = 0
  AND (ts = [] OR ts = ['MEMBER_OF', 'MEMBER_OF'] OR ts = ['RELATIVE_OF']
       OR ts = ['RELATIVE_OF', 'RESOLVED_TO'])
WITH o, pr, q,
     CASE WHEN size(ts) = 0 THEN ''
          WHEN ts[0] = 'MEMBER_OF' THEN '同户家庭成员（' + coalesce(rs[1].relation_to_head, '成员') + '）'
          ELSE '申报的' + coalesce(rs[0].relation, '亲属') END AS rel
// What the person stands for: themselves, or an enterprise they represent, own or direct
// (directly or through a name-only mention resolved to them).
// (Two paths, not one: FalkorDB 4.16 reports the edge after a zero-length reversed
// segment with its ends swapped.)
MATCH px = (q)<-[:RESOLVED_TO*0..1]-(x)
MATCH pf = (x)-[:LEGAL_REP_OF|ROLE_IN*0..1]->(k)
MATCH pa = (k)<-[:AWARDED_TO]-(c)
WITH o, pr, q, rel, pf, k, pa, c, relationships(px) + relationships(pf) AS fs, px
WITH o, pr, q, rel, pf, px, k, pa, c, [r IN fs WHERE type(r) <> 'RESOLVED_TO'] AS held,
     size([r IN fs WHERE type(r) = 'RESOLVED_TO' AND coalesce(r.judgement, '') = 'rejected']) AS rejected
WHERE c:Contract AND c.signed IS NOT NULL AND rejected = 0
WITH o, pr, q, rel, pf, px, k, pa, c, held[0] AS r,
     CASE WHEN size(held) = 0 THEN ''
          WHEN type(held[0]) = 'LEGAL_REP_OF' THEN '法定代表人'
          ELSE coalesce(held[0].role, '') END AS via
WITH o, pr, q, rel, pf, px, k, pa, c, via,
     via = '' OR via = '法定代表人' OR via IN $roles AS counts,
     r IS NULL OR ((r.valid_from IS NULL OR r.valid_from <= c.signed)
                   AND (r.valid_to IS NULL OR r.valid_to >= c.signed)) AS current
WHERE counts AND current
// What gives the official a say over this contract: approving it, or a post governing
// its village (or township or county) held on the day it was signed.
OPTIONAL MATCH pq = (c)-[:APPROVED_BY]->(o)
OPTIONAL MATCH pj = (o)-[h:HOLDS]->(p)-[:GOVERNS]->(d)
WHERE (h.valid_from IS NULL OR h.valid_from <= c.signed)
  AND (h.valid_to IS NULL OR h.valid_to >= c.signed)
  AND c.village_code STARTS WITH d.code
WITH c, k, q, via, o, pa, pf, px, pr, rel, pq, pj, h, p, d
WHERE pq IS NOT NULL OR pj IS NOT NULL
WITH c, k, o, pa, pf, px, pr, pq, pj, d, q.id_number AS qid,
     CASE WHEN pj IS NULL THEN null
          ELSE CASE WHEN h.valid_from IS NULL THEN '' ELSE h.valid_from + '起' END
               + '任' + coalesce(p.organisation, '') + coalesce(p.position, '') END AS post,
     CASE
       WHEN via = '' AND rel = '' THEN '本人'
       WHEN via = '' THEN rel
       WHEN rel = '' THEN '本人担任' + via + '的企业'
       ELSE rel + q.name + '担任' + via + '的企业'
     END AS link
// Sorted before collecting so that both engines list links and posts in one order.
ORDER BY post, link
WITH c, k, o, pa,
     collect(DISTINCT pf) + collect(DISTINCT px) + collect(DISTINCT pr) + collect(DISTINCT pq) + collect(DISTINCT pj) AS chains,
     collect(DISTINCT d) AS ds, collect(DISTINCT link) AS links, collect(DISTINCT post) AS posts,
     collect(DISTINCT qid) AS qids, count(pq) > 0 AS approver
// How the contract's village lies within each governed division (when the register has
// the division tree). Every ancestor is matched and the governed ones kept: FalkorDB
// 4.16 matches a null variable in OPTIONAL MATCH as if it were unbound.
OPTIONAL MATCH pv = (c)-[:IN_DIVISION]->(:Division)-[:PART_OF*0..2]->(up)
WITH c, k, o, pa, chains, links, qids,
     posts + CASE WHEN approver THEN ['该合同审批人'] ELSE [] END AS posts,
     collect(CASE WHEN up IN ds THEN pv END) AS pvs
OPTIONAL MATCH (c)-[:IN_DIVISION]->(v:Division)
RETURN [c.contract_id, coalesce(k.uscc, k.id_number, k.mention_id), o.id_number] + qids AS subjects,
       [pa] + chains + pvs AS evidence,
       {official: o.name, posts: posts, village: coalesce(v.name, c.village_code),
        contract: c.contract_id, project: coalesce(c.project_name, '（未命名项目）'),
        signed: c.signed, amount: c.amount, contractor: k.name, links: links} AS facts
