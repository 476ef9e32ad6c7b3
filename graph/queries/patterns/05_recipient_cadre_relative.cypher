// ---
// id: recipient_cadre_relative
// title_zh: 村干部本人或亲属享受低保
// title_en: Village cadre or cadre's relative receives subsistence
// severity: medium
// category: false_claims
// description: >
//   A household receiving subsistence includes a cadre of its own village, or a member
//   the village cadre declared as a relative, while the cadre is in office. Not a violation
//   in itself: such cases must be filed and reviewed separately (备案), so this is for review.
// params: {}
// explanation: "{cadre}任{village}{position}期间，其{link}所在户在{first}至{last}期间领取{programs:list}共{total:yuan}（领取人{recipients:list}），应单独备案审核。"
// ---
MATCH (prog:Program) WHERE prog.kind = 'subsistence'
MATCH (r:Person)-[:RECEIVED]->(d:Disbursement)-[:UNDER]->(prog)
// The household once per recipient, not once per month paid: a recipient's months all
// sit on its node, and expanding it again for each one costs its whole degree each time.
WITH r, collect(d) AS ds
MATCH (r)-[:MEMBER_OF]->(h:Household)
UNWIND ds AS d
WITH h, collect(DISTINCT d) AS paid
MATCH (h)<-[:MEMBER_OF]-(m:Person)
OPTIONAL MATCH pself = (m)-[:HOLDS]->(:Post {kind: 'village_cadre'})
OPTIONAL MATCH prel = (:Person)-[:RELATIVE_OF]->(m)
WITH h, paid, m, [p IN collect(DISTINCT pself) + collect(DISTINCT prel) WHERE p IS NOT NULL] AS links
UNWIND links AS link
WITH h, paid, m, link, nodes(link)[0] AS c
MATCH pc = (c)-[t:HOLDS]->(post:Post)-[:GOVERNS]->(v:Division)
WITH h, paid, m, link, c, t, post, v, pc
WHERE post.kind = 'village_cadre' AND v.code = h.village_code
WITH h, m, link, c, t, post, v, pc,
     [d IN paid WHERE (t.valid_from IS NULL OR t.valid_from <= d.period + '-31')
                  AND (t.valid_to IS NULL OR t.valid_to >= d.period + '-01')] AS hit
WHERE size(hit) > 0
UNWIND hit AS d
MATCH pr = (r:Person)-[:RECEIVED]->(d)-[:UNDER]->(prog:Program)
MATCH pm = (r)-[:MEMBER_OF]->(h)
WITH c, m, post, v, link, pc,
     collect(DISTINCT r.id_number) AS rids, collect(DISTINCT r.name) AS recipients,
     collect(DISTINCT prog.name) AS programs, collect(pr) AS prs, collect(DISTINCT pm) AS pms,
     min(d.period) AS first, max(d.period) AS last, sum(d.amount) AS total
RETURN rids + [c.id_number, m.id_number] AS subjects,
       [pc, link] + prs + pms AS evidence,
       {cadre: c.name, village: v.name, position: post.position,
        link: CASE WHEN c = m THEN '本人' ELSE '申报亲属' + m.name END,
        first: first, last: last, total: total, programs: programs,
        recipients: recipients} AS facts
