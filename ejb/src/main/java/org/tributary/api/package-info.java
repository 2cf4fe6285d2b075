/**
 * Kafka API handlers behind one dispatch table ({@link org.tributary.api.ApiHandlers}): decoding and
 * encoding with kafka-clients' generated message classes, one handler per API family. ApiVersions
 * advertises exactly the registered APIs and version ranges.
 */
package org.tributary.api;
