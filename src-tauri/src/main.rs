//! The desktop entry point; mobile builds enter through `zhifa_app_lib::run`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    zhifa_app_lib::run();
}
