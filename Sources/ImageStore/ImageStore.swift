// The image layer of the node: where images live on disk. (Issue 3 lands here piece by piece.)
public enum ImageStoreInfo {
    public static let layoutVersion = 1
}
