//! Use cases 18–22 of amazon-cognito-identity-js: listing devices, reading the current device,
//! remembering and not remembering it, and forgetting it (blocking driver). Also shows what a
//! remembered device buys: the next sign-in proves the device with device SRP.
//!
//! ```sh
//! cargo run --example devices
//! ```
#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

use cognito_blocking::ops::Device;
use cognito_examples::{
    BoxError, ClientConfig, Demo, PASSWORD, PoolConfig, ensure, ensure_eq, step,
};

fn remembered_status(device: &Device) -> Option<&str> {
    device.attribute("dev:device_remembered_status")
}

fn main() -> Result<(), BoxError> {
    // Device tracking on; devices are remembered only when the user says so.
    let demo = Demo::start(
        PoolConfig {
            device_tracking: Some((true, true)),
            ..PoolConfig::default()
        },
        ClientConfig::default(),
    )?;
    demo.create_user("lena")?;
    let pool = demo.blocking()?.build()?;
    let user = pool
        .sign_in("lena", PASSWORD)?
        .signed_in()
        .ok_or("a step was asked")?;
    let device = user
        .remembered_device()?
        .ok_or("the sign-in did not keep a device")?;
    ensure_eq(demo.count("ConfirmDevice"), 1, "ConfirmDevice calls")?;
    step(format!(
        "signed in; the new device {} was confirmed",
        device.device_key
    ));

    // Use case 18: list the devices, a page at a time.
    let page = user.list_devices(Some(10), None)?;
    ensure(
        page.devices
            .iter()
            .any(|d| d.device_key == device.device_key),
        "the device is listed",
    )?;
    step(format!("listed {} device(s)", page.devices.len()));

    // Use case 19: the current device.
    let current = user.get_device(None)?;
    ensure_eq(
        current.device_key.as_str(),
        device.device_key.as_str(),
        "current device",
    )?;
    step(format!(
        "current device status: {}",
        remembered_status(&current).unwrap_or("?")
    ));

    // Use cases 21 and 20: not remembered, then remembered.
    user.do_not_remember_device()?;
    ensure_eq(
        remembered_status(&user.get_device(None)?),
        Some("not_remembered"),
        "status after do_not_remember_device",
    )?;
    step("marked the device not remembered");
    user.remember_device()?;
    ensure_eq(
        remembered_status(&user.get_device(None)?),
        Some("remembered"),
        "status after remember_device",
    )?;
    step("marked the device remembered");

    // A remembered device survives sign-out and is proven with device SRP at the next sign-in.
    user.sign_out()?;
    ensure(
        user.remembered_device()?.is_some(),
        "device kept after sign-out",
    )?;
    let before = demo.count("RespondToAuthChallenge");
    let user = pool
        .sign_in("lena", PASSWORD)?
        .signed_in()
        .ok_or("a step was asked")?;
    ensure(
        demo.count("RespondToAuthChallenge") - before >= 3,
        "device SRP challenges answered",
    )?;
    ensure_eq(demo.count("ConfirmDevice"), 1, "no new device")?;
    step("signed in again with device SRP, on the same device");

    // Use case 22: forget the device, on the server and locally.
    user.forget_device()?;
    ensure(
        user.remembered_device()?.is_none(),
        "device removed locally",
    )?;
    let page = user.list_devices(None, None)?;
    ensure(
        page.devices
            .iter()
            .all(|d| d.device_key != device.device_key),
        "device removed on the server",
    )?;
    step("forgot the device");
    println!("devices: every step passed");
    Ok(())
}
