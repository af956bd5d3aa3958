/**
 * @confab/media: what plugins and confabd import. The media itself runs in the confab-media process;
 * nothing exported here loads GStreamer.
 * @since 0.1.0
 */
export {};
