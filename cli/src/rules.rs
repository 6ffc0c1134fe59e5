//! `zhifa check-id` and `zhifa assess`: the legal rules engine from the
//! command line.
//!
//! `check-id` needs no store: it checks one identity number and always exits
//! 0, valid or not (the verdict is the output, not a failure). `assess`
//! reads the case facts as JSON (a file or `-` for stdin), looks up the
//! matter and the working-day calendar in force in the device store when it
//! needs them, and prints the assessment; the problems it finds are in its
//! `errors`, and it exits 0 too. Exit 2 is only for unusable arguments or
//! input (clap's own errors, unreadable or malformed JSON, a bad rules
//! configuration file); exit 1 for a failing device.

use std::fs;
use std::io::Read;
use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, ValueEnum};
use serde::Serialize;
use zhifa_core::ErrorCode;
use zhifa_core::catalogue::CatalogueError;
use zhifa_core::catalogue::model::{Calendar, Matter};
use zhifa_core::money::format_yuan;
use zhifa_core::rules::assess::{Exemption, Minor, PartyKind};
use zhifa_core::rules::identity::{
    IdKind, IdOptions, Identity, OrgCodeCheck, detect_id, normalize, parse_citizen_id, parse_uscc,
};
use zhifa_core::rules::{AssessInput, Assessment, RulesConfig, assess};

use crate::Ctx;
use crate::catalogue::today;
use crate::output::{Failure, print_json};
use crate::settings::TOWNSHIP;

/// Which kind of number `check-id` expects.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum KindArg {
    /// A citizen ID (居民身份证, the residence permits, foreigners' cards).
    Citizen,
    /// A unified social credit code.
    Organization,
}

/// `zhifa check-id VALUE`.
#[derive(Debug, Args)]
pub(crate) struct CheckIdArgs {
    /// The number as typed (full-width, lower-case x, spaces and hyphens are fine).
    value: String,
    /// Check as this kind instead of telling the kind from the shape.
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
}

/// `zhifa assess --input FILE|-`.
#[derive(Debug, Args)]
pub(crate) struct AssessArgs {
    /// The case facts as JSON (see cli/README.md), or `-` for stdin.
    #[arg(long, value_name = "FILE|-")]
    input: String,
    /// A rules configuration file (JSON; every field optional, see cli/README.md).
    #[arg(long, value_name = "FILE")]
    rules_config: Option<PathBuf>,
}

/// The `check-id --json` document (issue 3 contract).
#[derive(Debug, Serialize)]
struct CheckIdDoc {
    valid: bool,
    kind: Option<&'static str>,
    normalized: String,
    birth_date: Option<NaiveDate>,
    sex: Option<&'static str>,
    region_code: Option<String>,
    error: Option<ErrorDoc>,
    /// Additive (issue 14): why the kind was chosen when it was detected
    /// (`null` with `--kind` or when invalid).
    reason: Option<ReasonDoc>,
}

#[derive(Debug, Serialize)]
struct ReasonDoc {
    code: &'static str,
    message: &'static str,
}

#[derive(Debug, Serialize)]
struct ErrorDoc {
    code: &'static str,
    message: String,
}

pub(crate) fn check_id_cmd(ctx: &Ctx, args: CheckIdArgs) -> Result<(), Failure> {
    // The CLI reads the clock so the core need not: a birth date after today is refused.
    let opts = IdOptions {
        as_of: Some(today()),
        ..IdOptions::default()
    };
    let (result, reason) = match args.kind {
        None => match detect_id(&args.value, &opts) {
            Ok(d) => (Ok(d.identity), Some(d.reason)),
            Err(e) => (Err(e), None),
        },
        Some(KindArg::Citizen) => (
            parse_citizen_id(&args.value, &opts).map(Identity::Citizen),
            None,
        ),
        Some(KindArg::Organization) => (parse_uscc(&args.value).map(Identity::Organization), None),
    };
    let reason_doc = reason.map(|r| ReasonDoc {
        code: r.as_str(),
        message: r.label_zh(),
    });
    let normalized = match &result {
        Ok(id) => id.number().to_owned(),
        Err(_) => normalize(&args.value),
    };
    let doc = match &result {
        Ok(id) => {
            let (birth_date, sex) = match id {
                Identity::Citizen(c) => (Some(c.birth_date), Some(c.sex.as_str())),
                Identity::Organization(_) => (None, None),
            };
            CheckIdDoc {
                valid: true,
                kind: Some(id.kind().as_str()),
                normalized,
                birth_date,
                sex,
                region_code: id.region_code().map(str::to_owned),
                error: None,
                reason: reason_doc,
            }
        }
        Err(e) => CheckIdDoc {
            valid: false,
            kind: e.kind().map(IdKind::as_str),
            normalized,
            birth_date: None,
            sex: None,
            region_code: None,
            error: Some(ErrorDoc {
                code: e.code(),
                message: e.to_string(),
            }),
            reason: None,
        },
    };
    if ctx.json {
        return print_json(&doc);
    }
    match &result {
        Ok(Identity::Citizen(c)) => {
            println!("有效：{} {}", c.form.label_zh(), c.number());
            println!("出生日期：{}    性别：{}", c.birth_date, c.sex.label_zh());
            match (c.region_code(), c.region_name()) {
                (Some(code), Some(name)) => println!("地址码：{code}（{name}）"),
                (Some(code), None) => println!("地址码：{code}"),
                (None, _) => {}
            }
        }
        Ok(Identity::Organization(o)) => {
            println!("有效：统一社会信用代码 {}", o.number());
            match (o.region_code(), o.region_name()) {
                (Some(code), Some(name)) => println!("登记管理机关行政区划码：{code}（{name}）"),
                (Some(code), None) => println!("登记管理机关行政区划码：{code}"),
                (None, _) => {}
            }
            match o.organization_code_check {
                OrgCodeCheck::Valid => {
                    println!("组织机构代码：{}（校验码正确）", o.organization_code())
                }
                OrgCodeCheck::Mismatch { expected, given } => println!(
                    "组织机构代码：{}（注意：GB 11714 校验码应为“{expected}”，实为“{given}”；统一社会信用代码本身有效，请核对营业执照）",
                    o.organization_code()
                ),
            }
            let (authority, category) = o.category();
            println!("登记管理部门：{authority}    机构类别：{category}");
            if o.is_individual_business() {
                println!("提示：92 开头一般为个体工商户，请同时记录经营者姓名");
            }
        }
        Err(e) => println!("无效 [{}]：{e}\n规范化后：{}", e.code(), doc.normalized),
    }
    if let Some(r) = reason {
        println!("判定依据：{}", r.label_zh());
    }
    Ok(())
}

pub(crate) fn assess_cmd(ctx: &Ctx, args: AssessArgs) -> Result<(), Failure> {
    let text = read_input(&args.input)?;
    let mut input: AssessInput = serde_json::from_str(&text)
        .map_err(|e| Failure::bad_input("ASSESS_INPUT", format!("案件输入不是有效的 JSON：{e}")))?;
    let config = match &args.rules_config {
        None => RulesConfig::default(),
        Some(path) => {
            let text = fs::read_to_string(path).map_err(|e| {
                Failure::bad_input(
                    "RULES_CONFIG",
                    format!("无法读取规则配置 {}: {e}", path.display()),
                )
            })?;
            serde_json::from_str(&text)
                .map_err(|e| Failure::bad_input("RULES_CONFIG", format!("规则配置无效：{e}")))?
        }
    };
    // Without a decision date the case is assessed as decided today.
    input.decision_date.get_or_insert_with(today);

    let looked_up = look_up(ctx, &input)?;
    if input.district.is_none() {
        input.district = looked_up.district;
    }
    let a = assess(
        &input,
        looked_up.matter.as_ref(),
        looked_up.calendar.as_ref(),
        &config,
    );
    if ctx.json {
        return print_json(&a);
    }
    print_assessment(&a, input.party.kind);
    Ok(())
}

fn read_input(path: &str) -> Result<String, Failure> {
    let mut text = String::new();
    let read = if path == "-" {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        fs::read_to_string(path).map(|t| text = t)
    };
    read.map_err(|e| Failure::bad_input("ASSESS_INPUT", format!("无法读取 {path}: {e}")))?;
    Ok(text)
}

/// What the store contributes to an assessment.
#[derive(Default)]
struct LookedUp {
    matter: Option<Matter>,
    calendar: Option<Calendar>,
    district: Option<String>,
}

/// Reads the matter and calendar in force on the violation date, and the
/// district of the officer's township, from the store. A data folder
/// without a store is not created here: the assessment then runs with the
/// law-level rules only and reports what it missed (`MATTER_NOT_FOUND`,
/// `CALENDAR_MISSING`, `DISTRICT_UNKNOWN`).
fn look_up(ctx: &Ctx, input: &AssessInput) -> Result<LookedUp, Failure> {
    let dir = crate::store::data_dir(ctx)?;
    if !dir.join(crate::store::DB_FILE).exists() {
        return Ok(LookedUp::default());
    }
    let store = crate::store::open(ctx)?;
    let cat = store.catalogue();
    let on = input.violation_date;
    let release = match cat.release_in_force(on) {
        Ok(r) => r,
        Err(CatalogueError::NoReleaseInForce { .. }) => return Ok(LookedUp::default()),
        Err(e) => return Err(e.into()),
    };
    let matter = match &input.matter {
        Some(code) => cat.matter_in_force(code, on)?.map(|r| r.matter),
        None => None,
    };
    // The calendar of the release in force when the payment period runs.
    let calendar_on = input.served_date.unwrap_or(on).max(on);
    let calendar = Some(cat.calendar_in_force(calendar_on)?);
    let district = match store.setting(TOWNSHIP)? {
        Some(t) => cat.township(&release.id, &t)?.map(|t| t.district),
        None => None,
    };
    Ok(LookedUp {
        matter,
        calendar,
        district,
    })
}

fn yes_no(b: bool) -> &'static str {
    if b { "是" } else { "否" }
}

fn print_assessment(a: &Assessment, kind: PartyKind) {
    if !a.levels.is_empty() {
        println!("裁量阶次：");
        for l in &a.levels {
            let mark = if Some(&l.code) == a.suggested_level.as_ref() {
                "★"
            } else if l.applies {
                "✓"
            } else {
                "✗"
            };
            let mut penalty = Vec::new();
            if l.warning {
                penalty.push("警告".to_owned());
            }
            if let Some(f) = l.fine {
                penalty.push(format!(
                    "罚款{}–{}",
                    format_yuan(f.min_fen),
                    format_yuan(f.max_fen)
                ));
            }
            println!(
                "  {mark} {} {}  {}  — {}",
                l.code,
                l.name,
                penalty.join("、"),
                l.reason
            );
        }
    }
    match &a.suggested_level {
        Some(code) => println!("建议阶次：{code}"),
        None => println!("建议阶次：无"),
    }
    let who = match kind {
        PartyKind::Individual => "个人",
        PartyKind::Organization => "单位",
    };
    match a.range {
        Some(r) => println!(
            "合法罚款幅度（{who}）：{}–{}",
            format_yuan(r.min_fen),
            format_yuan(r.max_fen)
        ),
        None => {
            println!("合法罚款幅度（{who}）：无（未指定事项、事项未载明法定幅度，或依法不予处罚）")
        }
    }
    let exemption = match a.exemption {
        Exemption::None => "无",
        Exemption::Mandatory => "应当不予处罚（第三十三条第一款、第三十一条）",
        Exemption::Discretionary => "可以不予处罚（首违不罚，第三十三条第一款）",
        Exemption::NoFault => "无主观过错，不予处罚（第三十三条第二款）",
    };
    println!("不予处罚：{exemption}");
    let age = a
        .age_at_violation
        .map_or_else(|| "未知".to_owned(), |n| format!("{n}周岁"));
    let minor = match a.minor {
        Minor::None => "",
        Minor::NoPenalty => "，未满十四周岁，不予处罚（第三十条）",
        Minor::LighterOrReduced => "，未满十八周岁，应当从轻或者减轻（第三十条）",
    };
    println!("违法时年龄：{age}{minor}");
    println!("超过追责时效：{}", yes_no(a.limitation_expired));
    println!(
        "简易程序：{}（{}）",
        yes_no(a.simple_procedure.allowed),
        a.simple_procedure.reason
    );
    println!(
        "当场收缴：{}（{}）",
        yes_no(a.on_the_spot_collection.allowed),
        a.on_the_spot_collection.reason
    );
    println!("听证权利：{}", yes_no(a.hearing_right));
    println!("须法制审核：{}", yes_no(a.legal_review_required));
    if let Some(d) = a.payment_due {
        println!("缴款期限：{d}");
    }
    if let Some(f) = a.late_fee_fen {
        println!("加处罚款：{}", format_yuan(f));
    }
    println!("救济告知：{}", a.remedy_clause);
    if a.errors.is_empty() {
        println!("问题：无");
    } else {
        println!("问题：");
        for e in &a.errors {
            println!("  [{}] {}", e.code, e.message);
        }
    }
}
