// Package gitobj reads the few git objects a staged scan needs (HEAD's
// commit, the trees along the changed paths, the changed blobs) straight
// from a repository's objects directory: loose objects, and packed ones by
// one binary search in a pack index, with delta chains applied without
// hashing. go-git, on the first object it reads from a pack, decodes the
// whole pack index and maps every offset to its hash, then hashes every
// delta base it resolves: about 25 ms of CPU in a repository of 100,000
// objects, more than all the rest of a pre-commit scan. What this reader
// does not handle (alternates, pack index version 1, an object it cannot
// find, data it finds corrupt) is read through a fallback, go-git's object
// storage.
//
// It belongs to package scanner (go-git types stay there) and imports no
// other package of this module.
package gitobj
