//! Builds the gRPC server side of the Terraform plugin protocol from the repository's one copy of
//! the protocol definitions in `proto/` (the acceptance test client builds its client side from
//! the same files).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=../proto");
    tonic_build::configure()
        .protoc_arg("--experimental_allow_proto3_optional")
        .build_client(false)
        .compile_protos(
            &["../proto/plugin.proto", "../proto/tfplugin6.10.proto"],
            &["../proto"],
        )?;
    Ok(())
}
