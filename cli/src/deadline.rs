//! `zhifa deadline KIND --from DATE [--township CODE]`: the last day of a
//! normal-procedure period on the township's official calendar.
//!
//! The calendar is the catalogue's: the release in force on `--from` in the
//! device store when the data folder has one, otherwise the sample
//! catalogue compiled into the binary. `--township` must be a township of
//! that release; its normal-procedure configuration (the `procedure`
//! section of its township configuration, when the store holds one) sets
//! the configured periods, otherwise the research's defaults apply. The
//! counting is the core's (`zhifa_core::procedure::deadline`). Exit 2 for
//! an unknown kind or township, or a date the calendar does not cover.

use chrono::NaiveDate;
use clap::Args;
use serde::Serialize;
use zhifa_core::ErrorCode;
use zhifa_core::catalogue::CatalogueError;
use zhifa_core::catalogue::model::{Calendar, Package};
use zhifa_core::procedure::ProcedureConfig;
use zhifa_core::procedure::deadline::{self, ClockKind, ClockSense, DayType};

use crate::Ctx;
use crate::output::{Failure, print_json};

/// The sample catalogue, compiled in (the same file `zhifa demo` imports).
const SAMPLE_CATALOGUE: &str = include_str!("../../schema/catalogue/sample/chongqing-sample.json");

/// `zhifa deadline KIND --from DATE`.
#[derive(Debug, Args)]
pub(crate) struct DeadlineArgs {
    /// The period: hearing_request, hearing_notice, service, registration_save,
    /// decision, payment, seizure, reminder, court_application, statement,
    /// filing, legal_review, publication, publication_withdrawal, surcharge.
    kind: String,
    /// The day of the start event (YYYY-MM-DD); for hearing_notice, the hearing day.
    #[arg(long, value_name = "DATE")]
    from: NaiveDate,
    /// The township (9-digit code) whose calendar and configuration apply.
    #[arg(long, value_name = "CODE")]
    township: Option<String>,
}

/// The `deadline --json` document.
#[derive(Debug, Serialize)]
struct DeadlineDoc {
    kind: String,
    from: NaiveDate,
    due: NaiveDate,
    day_type: DayType,
    length: u32,
    sense: ClockSense,
    basis: String,
    starts_at: &'static str,
    estimated: bool,
    rolled: bool,
    configured_unverified: bool,
    township: Option<String>,
    calendar_release: String,
}

pub(crate) fn run(ctx: &Ctx, args: DeadlineArgs) -> Result<(), Failure> {
    let Some(kind) = ClockKind::ALL.into_iter().find(|k| k.name() == args.kind) else {
        let names: Vec<&str> = ClockKind::ALL.iter().map(|k| k.name()).collect();
        return Err(Failure::bad_input(
            "DEADLINE_UNKNOWN_KIND",
            format!("未知的期限种类“{}”，可用：{}", args.kind, names.join("、")),
        ));
    };
    let (calendar, release, config) = look_up(ctx, args.from, args.township.as_deref())?;
    let period = deadline::period(kind, &config);
    let due = deadline::due(&period, args.from, &calendar, &config)
        .map_err(|e| Failure::bad_input(e.code(), e.to_string()))?;
    let doc = DeadlineDoc {
        kind: args.kind,
        from: args.from,
        due: due.due,
        day_type: period.day_type,
        length: period.length,
        sense: period.sense,
        basis: period.basis,
        starts_at: period.starts_at,
        estimated: due.estimated,
        rolled: due.rolled,
        configured_unverified: period.configured_unverified,
        township: args.township,
        calendar_release: release,
    };
    if ctx.json {
        return print_json(&doc);
    }
    let what = if kind == ClockKind::HearingNotice {
        "最迟通知日"
    } else if doc.sense == ClockSense::Waiting {
        "等待期届满日"
    } else {
        "期限届满日"
    };
    println!("期限：{}（{}）", doc.kind, doc.basis);
    println!("起算：{}（{}，当日不计入）", doc.from, doc.starts_at);
    println!("期间：{}{}", doc.length, doc.day_type.label_zh());
    let mut notes = Vec::new();
    if doc.rolled {
        notes.push("末日为休息日，顺延至其后第一个工作日（民法典第二百零三条）");
    }
    if doc.estimated {
        notes.push("按预估日历");
    }
    if doc.configured_unverified {
        notes.push("期限为本镇街配置的默认值，未经核对");
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!("（{}）", notes.join("；"))
    };
    println!("{what}：{}{notes}", doc.due);
    println!("日历：{}", doc.calendar_release);
    Ok(())
}

/// The calendar, its release id and the township's procedure configuration.
fn look_up(
    ctx: &Ctx,
    from: NaiveDate,
    township: Option<&str>,
) -> Result<(Calendar, String, ProcedureConfig), Failure> {
    let dir = crate::store::data_dir(ctx)?;
    if dir.join(crate::store::DB_FILE).exists() {
        let store = crate::store::open(ctx)?;
        let cat = store.catalogue();
        match cat.release_in_force(from) {
            Ok(release) => {
                let calendar = cat.calendar_in_force(from)?;
                let mut config = ProcedureConfig::default();
                if let Some(code) = township {
                    if cat.township(&release.id, code)?.is_none() {
                        return Err(unknown_township(code));
                    }
                    if let Some(t) = zhifa_core::case::township_config(&store, code)
                        .map_err(|e| Failure::internal(e.code(), e.to_string()))?
                    {
                        config = t.procedure;
                    }
                }
                return Ok((calendar, release.id, config));
            }
            Err(CatalogueError::NoReleaseInForce { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let package: Package = serde_json::from_str(SAMPLE_CATALOGUE)
        .map_err(|e| Failure::internal("SAMPLE_CATALOGUE", format!("示例目录无法读取：{e}")))?;
    if let Some(code) = township
        && !package.townships.iter().any(|t| t.code == code)
    {
        return Err(unknown_township(code));
    }
    Ok((
        package.calendar,
        package.release.id,
        ProcedureConfig::default(),
    ))
}

fn unknown_township(code: &str) -> Failure {
    Failure::bad_input(
        "DEADLINE_UNKNOWN_TOWNSHIP",
        format!("目录中没有镇街“{code}”"),
    )
}
