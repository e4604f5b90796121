"""Generated gRPC stubs of the OAIMS wire contract (protos/oaims/v1). Do not edit: run protos/generate_python.sh."""
