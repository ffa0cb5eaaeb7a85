import { InputError } from "../../core/errors.ts";

/** A PBF file that cannot be read: names the file and the byte offset of the blob at fault (exit code 2). */
export class PbfError extends InputError {
  readonly offset: number;
  readonly file: string;
  constructor(file: string, offset: number, message: string, opts: { cause?: unknown } = {}) {
    super(message, { file, offset }, opts);
    this.name = "PbfError";
    this.file = file;
    this.offset = offset;
  }
}
