// ---
// id: recipient_real_estate
// title_zh: 低保家庭拥有商业房产或多套住房
// title_en: Subsistence household owns commercial property or several homes
// severity: medium
// category: false_claims
// description: >
//   Members of a household receiving subsistence own commercial, mixed commercial-residential
//   or office property (high), or two or more homes (medium), while the benefit is paid.
//   A single ordinary home is no finding. Ownership must overlap a paid month.
// params:
//   commercial_usages:
//     type: str_list
//     default: [商业, 商住, 办公]
//     help: usages that count as commercial property
//   min_homes:
//     type: int
//     default: 2
//     help: number of homes (住宅) that is a finding
// explanation: "{household}户在{first}至{last}期间领取{programs:list}共{total:yuan}（领取人{recipients:list}），同期家庭成员名下有{summary}：{estates:list}。"
// ---
MATCH (prog:Program) WHERE prog.kind = 'subsistence'
MATCH (r:Person)-[:RECEIVED]->(d:Disbursement)-[:UNDER]->(prog)
// The household once per recipient, not once per month paid: a recipient's months all
// sit on its node, and expanding it again for each one costs its whole degree each time.
WITH r, collect(d) AS ds
MATCH (r)-[:MEMBER_OF]->(h:Household)
UNWIND ds AS d
WITH h, collect(DISTINCT d) AS paid
MATCH po = (h)<-[:MEMBER_OF]-(m:Person)-[o:OWNS]->(e:RealEstate)
WITH h, po, m, e,
     [d IN paid WHERE (o.valid_from IS NULL OR o.valid_from <= d.period + '-31')
                  AND (o.valid_to IS NULL OR o.valid_to >= d.period + '-01')] AS hit
WHERE size(hit) > 0
WITH h, collect(DISTINCT po) AS owned, collect(DISTINCT e) AS estates,
     collect(DISTINCT m.id_number) AS owners, collect(hit) AS hit_lists
WITH h, owned, estates, owners, reduce(acc = [], l IN hit_lists | acc + l) AS hits,
     [x IN estates WHERE x.usage IN $commercial_usages] AS commercial,
     [x IN estates WHERE x.usage = '住宅'] AS homes
WHERE size(commercial) > 0 OR size(homes) >= $min_homes
UNWIND hits AS d
WITH DISTINCT h, owned, estates, owners, commercial, homes, d
MATCH pr = (r:Person)-[:RECEIVED]->(d)-[:UNDER]->(prog:Program)
MATCH pm = (r)-[:MEMBER_OF]->(h)
WITH h, owned, estates, owners, commercial, homes,
     collect(DISTINCT r.id_number) AS rids, collect(DISTINCT r.name) AS recipients,
     collect(DISTINCT prog.name) AS programs, collect(pr) AS prs, collect(DISTINCT pm) AS pms,
     min(d.period) AS first, max(d.period) AS last, sum(d.amount) AS total
RETURN rids + owners + [x IN estates | x.cert_no] AS subjects,
       owned + prs + pms AS evidence,
       CASE WHEN size(commercial) > 0 THEN 'high' ELSE 'medium' END AS severity,
       {household: h.household_id, first: first, last: last, total: total, programs: programs,
        recipients: recipients,
        summary: CASE WHEN size(commercial) > 0
                      THEN toString(size(commercial)) + '处商业/办公用房'
                      ELSE toString(size(homes)) + '套住宅' END,
        estates: [x IN estates | x.usage + ' ' + coalesce(x.address, x.cert_no)]} AS facts
