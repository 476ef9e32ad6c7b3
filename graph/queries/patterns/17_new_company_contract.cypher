// ---
// id: new_company_contract
// title_zh: 新设企业承接工程
// title_en: Newly established company wins a contract
// severity: low
// category: interest
// description: >
//   The contractor enterprise was established less than `max_age_days` before the
//   contract was signed (a shell set up for the job), or only after it was signed (a
//   backdated or falsified contract, reported as medium). Ages are whole days between
//   the registered establishment date and the signing date. Contracts signed after
//   `as_of` are not counted.
// params:
//   max_age_days:
//     type: int
//     default: 90
//     help: a contractor younger than this many days at signing is reported
// explanation: "{contractor}成立于{established}，{age_text}即于{signed}签订{village}合同{contract}「{project}」，金额{amount:yuan}（采购方式：{procurement}）。"
// ---
MATCH pa = (c:Contract)-[:AWARDED_TO]->(e:Enterprise)
WHERE c.signed_day IS NOT NULL AND e.established_day IS NOT NULL AND c.signed <= $as_of
  AND c.signed_day - e.established_day < $max_age_days
WITH c, e, pa, c.signed_day - e.established_day AS age
OPTIONAL MATCH (c)-[:IN_DIVISION]->(v:Division)
RETURN [c.contract_id, e.uscc] AS subjects,
       [pa] AS evidence,
       CASE WHEN age < 0 THEN 'medium' END AS severity,
       {contractor: e.name, established: e.established, signed: c.signed,
        age_text: CASE WHEN age < 0 THEN '却在成立前' + toString(-age) + '天'
                       WHEN age = 0 THEN '成立当天'
                       ELSE '成立仅' + toString(age) + '天后' END,
        village: coalesce(v.name, c.village_code, ''), contract: c.contract_id,
        project: coalesce(c.project_name, '（未命名项目）'), amount: c.amount,
        procurement: coalesce(c.procurement, '未注明')} AS facts
