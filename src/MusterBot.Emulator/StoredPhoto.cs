namespace MusterBot.Emulator;

/// <summary>
/// A photo kept by the emulator: two sizes, smallest first, as Telegram lists them. The emulator does not resize
/// images: both sizes hold the same bytes; only their file ids and dimensions differ.
/// </summary>
internal sealed record StoredPhoto(StoredFile Thumbnail, int ThumbnailWidth, int ThumbnailHeight, StoredFile Full, int Width, int Height);
