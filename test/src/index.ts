export { startTritonServer, type TritonCall, type TritonServer, type TritonServerOptions } from "./triton-server.ts";
