package consts

const (
	Name  = "tool"
	Token = "ghp_FAKEfakeFAKEfake0123456789abcdefABCD"
)
