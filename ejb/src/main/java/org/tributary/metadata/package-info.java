/**
 * Topic metadata: immutable {@link org.tributary.metadata.MetadataImage}s (one per request) and the
 * durable {@link org.tributary.metadata.MetadataStore} they come from.
 */
package org.tributary.metadata;
