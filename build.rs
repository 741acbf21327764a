//! Rebuild when the embedded feature files or JSON Schemas change (include_dir cannot tell cargo).
fn main() {
    println!("cargo:rerun-if-changed=features");
    println!("cargo:rerun-if-changed=schemas");
}
