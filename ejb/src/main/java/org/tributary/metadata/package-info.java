/**
 * Cluster metadata: the typed records of the metadata log
 * ({@link org.tributary.metadata.MetadataRecord}) and their binary form
 * ({@link org.tributary.metadata.MetadataCodec}); immutable
 * {@link org.tributary.metadata.MetadataImage}s (one per request) built by applying each
 * committed entry in log order with {@link org.tributary.metadata.MetadataDelta}, and written to
 * and rebuilt from snapshots ({@link org.tributary.metadata.MetadataSnapshot}); and the durable
 * single-broker {@link org.tributary.metadata.MetadataStore} images come from today.
 */
package org.tributary.metadata;
