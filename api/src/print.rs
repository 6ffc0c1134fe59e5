//! Printing on the spot (issue 19): the served decision, its 送达回证 and
//! the inspection record as ESC/POS tickets for a 58 mm or 80 mm thermal
//! printer, sent through a transport the shell provides.
//!
//! The transport is a seam: the mobile shell connects a Bluetooth printer
//! (SPP) and registers a [`PrinterTransport`] that writes to it; without
//! one, the ticket is kept as a file in the export folder
//! ([`CaptureTransport`], `<number>-58mm.escpos`) — what the desktop and
//! `zhifa web` do, and what the e2e reads back. The A4 PDF
//! (`case_document`) goes to the system printer from the preview.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use zhifa_core::document::{Roll, TicketOptions, render_escpos};

use crate::dto::{TicketReq, TicketView};
use crate::ops::safe_file_name;
use crate::{ApiError, App};

/// Where a ticket goes: the shell's printer connection.
pub trait PrinterTransport: Send {
    /// Sends the whole ticket; `name` is a file-safe name for it. Returns
    /// where it went, in words the officer reads (`已发送到 …`).
    fn send(&mut self, name: &str, bytes: &[u8]) -> Result<String, String>;
}

/// Keeps each ticket as a file in a folder (no printer attached).
#[derive(Debug, Clone)]
pub struct CaptureTransport {
    dir: PathBuf,
}

impl CaptureTransport {
    /// Captures into `dir` (created when missing).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }
}

impl PrinterTransport for CaptureTransport {
    fn send(&mut self, name: &str, bytes: &[u8]) -> Result<String, String> {
        std::fs::create_dir_all(&self.dir).map_err(|e| e.to_string())?;
        let path = self.dir.join(name);
        let tmp = path.with_extension("part");
        std::fs::write(&tmp, bytes).map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, &path).map_err(|e| e.to_string())?;
        Ok("未连接热敏打印机，打印内容已保存到导出文件夹".to_owned())
    }
}

fn roll(text: &str) -> Result<Roll, ApiError> {
    match text {
        "58" => Ok(Roll::Mm58),
        "80" => Ok(Roll::Mm80),
        other => Err(ApiError::Invalid(format!(
            "纸宽应为 58 或 80（毫米），收到“{other}”"
        ))),
    }
}

impl App {
    /// Registers the shell's printer connection (Bluetooth on mobile).
    pub fn set_printer(&mut self, transport: Box<dyn PrinterTransport>) {
        self.printer = Some(transport);
    }

    /// The served decision as an ESC/POS ticket, sent to the printer (or
    /// captured): the same fields and document hash as the PDF.
    pub(crate) fn case_print(&mut self, req: TicketReq) -> Result<TicketView, ApiError> {
        self.officer_id()?;
        let (c, data) = self.served_decision_of(&req.case_id)?;
        let number = crate::ops::decision_name(&c);
        self.print_ticket(&data, &c.township, &number, &req.roll)
    }

    /// Renders `data` as an ESC/POS ticket for `roll_mm` with the township's
    /// template and sends it through the printer seam (or captures it as
    /// `<name>-<roll>mm.escpos` in the export folder).
    pub(crate) fn print_ticket(
        &mut self,
        data: &zhifa_core::document::model::DocumentData,
        township: &str,
        name: &str,
        roll_mm: &str,
    ) -> Result<TicketView, ApiError> {
        let roll = roll(roll_mm)?;
        let template = self.township_template(township, data.kind())?;
        let ticket = render_escpos(
            data,
            &template,
            &TicketOptions {
                roll,
                mask_id: Some(false),
                verification_base: zhifa_core::case::archive::centre_url(&self.store)?,
            },
        )?;
        let name = safe_file_name(&format!("{name}-{roll_mm}mm.escpos"));
        let export = self.export_dir();
        let transport = self
            .printer
            .get_or_insert_with(|| Box::new(CaptureTransport::new(export)));
        let sent_to = transport
            .send(&name, &ticket.bytes)
            .map_err(|e| ApiError::Internal(format!("无法发送到打印机：{e}")))?;
        Ok(TicketView {
            roll: roll_mm.to_owned(),
            bytes: u32::try_from(ticket.bytes.len()).unwrap_or(u32::MAX),
            escpos_base64: B64.encode(&ticket.bytes),
            document_hash: ticket.document_hash,
            sent_to,
        })
    }
}
