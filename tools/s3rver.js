'use strict';
// Starts s3rver (same arguments as its own bin/s3rver.js) with one fix: a PUT answers only once the object's bytes are
// on disk. s3rver 3.7.1's FilesystemStore.putObject resolves when its hashing stream has seen the body, not when the
// file stream has written it, so a GET right after a PUT can read the old bytes under the new ETag. Amazon S3 reads
// after writes consistently; the SDK's MD5 check then fails a test ("Expected hash not equal to calculated hash").
// The object is written beside its final name and renamed over it, so a reader never sees half an object either.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { Readable, Transform } = require('stream');
const { pipeline } = require('stream/promises');
const FilesystemStore = require('s3rver/lib/stores/filesystem');

FilesystemStore.prototype.putObject = async function putObject(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  await fs.promises.mkdir(path.dirname(objectPath), { recursive: true });
  // Not named like an object (listings match the "._S3rver_object" ending), so never listed while it is written.
  const partial = `${objectPath}.${crypto.randomUUID()}.partial`;
  const md5 = crypto.createHash('md5');
  let size = 0;
  const body = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
  try {
    await pipeline(
      body,
      new Transform({
        transform(chunk, encoding, done) {
          md5.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      }),
      fs.createWriteStream(partial),
    );
    await fs.promises.rename(partial, objectPath);
  } catch (error) {
    await fs.promises.rm(partial, { force: true });
    throw error;
  }
  const digest = md5.digest('hex');
  await this.putMetadata(object.bucket, object.key, object.metadata, digest);
  return { size, md5: digest };
};

require('s3rver/bin/s3rver.js');
