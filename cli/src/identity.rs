//! `zhifa identity read IMAGE`: reads a photographed 居民身份证's front
//! offline (`zhifa_ocr`) and prints the fields with their confidence and
//! what to check — the same document the app's `identity_read` returns
//! (`zhifa_api::identity::IdentityRead`). Needs no store. The models are
//! found through `--models`, `ZHIFA_OCR_MODELS`, the cache folder
//! scripts/ocr-models.sh fills, or `ocr-models/` beside the binary.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use zhifa_core::ErrorCode;

use crate::Ctx;
use crate::catalogue::today;
use crate::output::{Failure, print_json};

/// `zhifa identity …`.
#[derive(Debug, Subcommand)]
pub(crate) enum IdentityCmd {
    /// Read the front of a 居民身份证 from a photograph (JPEG or PNG).
    Read(ReadArgs),
}

/// `zhifa identity read IMAGE`.
#[derive(Debug, Args)]
pub(crate) struct ReadArgs {
    /// The photograph.
    image: PathBuf,
    /// The OCR models folder (default: ZHIFA_OCR_MODELS or ~/.cache/zhifa/ocr-models).
    #[arg(long, value_name = "DIR")]
    models: Option<PathBuf>,
}

fn failure(e: &zhifa_ocr::OcrError) -> Failure {
    if e.is_bad_input() {
        Failure::bad_input(e.code(), e.to_string())
    } else {
        Failure::internal(e.code(), e.to_string())
    }
}

pub(crate) fn run(ctx: &Ctx, cmd: IdentityCmd) -> Result<(), Failure> {
    let IdentityCmd::Read(args) = cmd;
    let bytes = std::fs::read(&args.image).map_err(|e| {
        Failure::bad_input(
            "OCR_UNREADABLE_IMAGE",
            format!("无法读取 {}：{e}", args.image.display()),
        )
    })?;
    let engine = zhifa_ocr::open_default(args.models.as_deref()).map_err(|e| failure(&e))?;
    let reading = engine
        .read_id_card(&bytes, Some(today()))
        .map_err(|e| failure(&e))?;
    let view = zhifa_api::identity::view(reading);
    if ctx.json {
        return print_json(&view);
    }
    let show = |label: &str, f: &Option<zhifa_api::identity::ReadField>| match f {
        Some(f) if f.from_number => println!("{label}：{}（由号码推出）", f.value),
        Some(f) => println!("{label}：{}（置信度 {}%）", f.value, f.confidence),
        None => println!("{label}：（未识别）"),
    };
    show("姓名", &view.name);
    show("性别", &view.sex);
    show("民族", &view.ethnicity);
    show("出生", &view.birth_date);
    show("住址", &view.address);
    show("公民身份号码", &view.id_number);
    println!(
        "号码校验：{}",
        if view.number_valid {
            "通过（GB 11643）"
        } else {
            "未通过"
        }
    );
    for n in &view.notes {
        println!("请核对 [{}]：{}", n.code, n.message);
    }
    println!("以上为识别结果，须由执法人员核对确认后使用。");
    Ok(())
}
