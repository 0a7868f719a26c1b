//! Indexed PNG encoding: a heat tile is at most 256 colours, so it is written as palette +
//! tRNS with fast compression — about half the bytes of RGBA and faster to encode.

use super::style::Palette;

#[derive(Debug, thiserror::Error)]
#[error("PNG encoding failed: {0}")]
pub struct PngError(#[from] png::EncodingError);

/// Encodes `size`×`size` palette indices.
pub fn encode_indexed(indices: &[u8], size: u32, palette: &Palette) -> Result<Vec<u8>, PngError> {
    debug_assert_eq!(indices.len(), (size * size) as usize);
    let mut out = Vec::with_capacity(indices.len() / 4 + 1024);
    {
        let mut enc = png::Encoder::new(&mut out, size, size);
        enc.set_color(png::ColorType::Indexed);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_palette(palette.rgb());
        enc.set_trns(palette.alpha());
        enc.set_compression(png::Compression::Fast);
        let mut w = enc.write_header()?;
        w.write_image_data(indices)?;
        w.finish()?;
    }
    Ok(out)
}

/// Encodes RGBA pixels (legends and other small images).
pub fn encode_rgba(rgba: &[u8], width: u32, height: u32) -> Result<Vec<u8>, PngError> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut w = enc.write_header()?;
        w.write_image_data(rgba)?;
        w.finish()?;
    }
    Ok(out)
}
