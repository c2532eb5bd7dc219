//go:build !unix

package loader

import "os"

// openFlags: these platforms have no fifos in the file system that an open
// could block on.
const openFlags = os.O_RDONLY
