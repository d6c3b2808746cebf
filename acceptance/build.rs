//! Builds the test-only gRPC client for the Terraform plugin protocol (no server code).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=../proto");
    tonic_build::configure()
        .build_server(false)
        .protoc_arg("--experimental_allow_proto3_optional")
        .compile_protos(
            &["../proto/tfplugin6.10.proto", "../proto/plugin.proto"],
            &["../proto"],
        )?;
    Ok(())
}
