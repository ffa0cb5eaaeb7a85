// openapi-typescript 5 (the last version that reads Swagger 2.0) describes operations the Swagger way
// (`parameters.body.body`, `responses[code].schema`); openapi-fetch expects the OpenAPI 3 shape
// (`requestBody.content[...]`, `responses[code].content[...]`). This maps one onto the other at type level,
// so every request and response stays typed by the generated file.
import type { definitions, paths as SwaggerPaths } from "../generated/argo-api.ts";

type Json<T> = { content: { "application/json": T } };

type Responses<R> = { [K in keyof R]: R[K] extends { schema: infer S } ? Json<S> : { content?: never } };

type Params<P> = {
  path: P extends { path: infer X } ? X : never;
  query?: P extends { query: infer Q } ? Q : never;
  header?: never;
  cookie?: never;
};

type Body<P> = P extends { body: { body: infer B } } ? { requestBody: Json<B> } : { requestBody?: never };

type Operation<O> = O extends { parameters: infer P; responses: infer R }
  ? { parameters: Params<P>; responses: Responses<R> } & Body<P>
  : O extends { responses: infer R }
    ? {
        parameters: { query?: never; header?: never; path?: never; cookie?: never };
        requestBody?: never;
        responses: Responses<R>;
      }
    : never;

export type ArgoPaths = {
  [Path in keyof SwaggerPaths]: {
    [Method in keyof SwaggerPaths[Path]]: Operation<SwaggerPaths[Path][Method]>;
  } & { parameters: Record<string, never> };
};

export type Workflow = definitions["io.argoproj.workflow.v1alpha1.Workflow"];
export type SubmitRequest = definitions["io.argoproj.workflow.v1alpha1.WorkflowSubmitRequest"];
export type NodeStatus = definitions["io.argoproj.workflow.v1alpha1.NodeStatus"];
