//! A crate's public API surface as plain text, one operation after the other: the method and its arguments,
//! the setters, and the tree of response types with their fields' Rust types. What a reviewer reads in a
//! snapshot diff after a regen (`cargo insta review`), instead of a second copy of `generated/`.
//!
//! ```text
//! GET /api/xiaohongshu-pgy/get-kol-fans-portrait/v1  deprecated -> api_solar_kol_data_user_id_fans_profile_v1
//!   fn get_kol_fans_portrait_v1(kol_id: impl Into<String>)
//!     .accept_cache(bool)
//!   Data (overlay)
//!     ages: Vec<AgesItem>
//!   AgesItem
//!     group: Option<String>
//! ```

use std::fmt::Write as _;

use super::operation::{arg_type_text, element_type_text, field_type_text, object_at};
use crate::error::Result;
use crate::ir::{Api, Shape, ShapeOrigin};
use crate::names;

pub fn api_surface(api: &Api) -> Result<String> {
    let plan = names::plan(api)?;
    let mut out = format!("crate {} {}\n", api.crate_name, api.version);
    for n in &plan.ops {
        let op = n.op;
        let _ = write!(out, "\n{} {}", op.method.as_str(), op.path);
        if op.is_deprecated() {
            out.push_str("  deprecated");
            if let Some(s) = &n.successor {
                let _ = write!(out, " -> {s}");
            }
        }
        out.push('\n');
        let args: Vec<String> = n
            .params
            .iter()
            .filter(|p| p.param.required)
            .map(|p| format!("{}: {}", p.name, arg_type_text(p.param, p.enum_names.as_ref())))
            .collect();
        let _ = writeln!(out, "  fn {}({})", n.func, args.join(", "));
        for p in n.params.iter().filter(|p| !p.param.required) {
            let _ = writeln!(
                out,
                "    .{}({})",
                p.name,
                arg_type_text(p.param, p.enum_names.as_ref())
            );
        }
        for p in &n.params {
            if let Some(e) = &p.enum_names {
                let _ = writeln!(
                    out,
                    "  enum {} {{ {}, Unknown(String) }}",
                    e.type_name,
                    e.variants.join(", ")
                );
            }
        }
        let Some(response) = &op.response else {
            out.push_str("  Data = serde_json::Value (untyped)\n");
            continue;
        };
        let origin = match response.origin {
            ShapeOrigin::Example => "example",
            ShapeOrigin::Schema => "schema",
            ShapeOrigin::Overlay => "overlay",
            ShapeOrigin::Memory => "remembered",
        };
        if !matches!(response.shape.non_null(), Shape::Object { .. }) {
            let _ = writeln!(
                out,
                "  Data = {} ({origin})",
                field_type_text(&response.shape, &mut Vec::new(), n)
            );
        }
        for (loc, s) in &n.structs {
            let Some((fields, rest)) = object_at(&response.shape, loc) else {
                continue;
            };
            let note = if loc.is_empty() {
                format!(" ({origin})")
            } else {
                String::new()
            };
            let _ = writeln!(out, "  {}{note}", s.type_name);
            for (f, rust) in fields.iter().zip(&s.fields) {
                let mut child = loc.clone();
                child.push(f.name.clone());
                let ty = field_type_text(&f.shape, &mut child, n);
                let wire = if *rust == f.name {
                    String::new()
                } else {
                    format!("  // {}", f.name)
                };
                let _ = writeln!(out, "    {rust}: {ty}{wire}");
            }
            if let (Some(rest), Some(name)) = (rest, &s.rest) {
                let mut child = loc.clone();
                child.push(names::VALUE.to_owned());
                let ty = element_type_text(rest, &mut child, n);
                let _ = writeln!(out, "    {name}: BTreeMap<String, {ty}>  // keys that are data");
            }
        }
    }
    Ok(out)
}
