package delivery

import "strings"

// The GSM 03.38 default alphabet (one septet each; ESC, 0x1B, left out
// because it is not a character) and its extension table (two septets each:
// ESC and the character).
const (
	gsm7Basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Extension = "\f^{}\\[~]|€"
)

// SMS payload sizes: 140 octets hold 160 septets or 70 UCS-2 code units; a
// concatenated message loses 6 octets per part to its header.
const (
	gsm7Single = 160
	gsm7Part   = 153
	ucs2Single = 70
	ucs2Part   = 67
)

// SMSSegments returns how many SMS parts text is billed as. Text made of
// GSM-7 characters only is sent in 7-bit (160 per SMS, 153 per part of a
// longer one; the extension characters such as '{' or '€' count twice); any
// other character (Cyrillic, for one) switches the whole text to UCS-2 (70,
// or 67 per part; characters outside the BMP count twice). A character never
// straddles two parts, as handsets and providers split it. Empty text is one
// segment, since it is still one SMS.
func SMSSegments(text string) int {
	gsm := isGSM7(text)
	single, part := gsm7Single, gsm7Part
	if !gsm {
		single, part = ucs2Single, ucs2Part
	}
	var costs []int
	total := 0
	for _, r := range text {
		c := 1
		switch {
		case gsm && strings.ContainsRune(gsm7Extension, r):
			c = 2
		case !gsm && r > 0xFFFF:
			c = 2 // a UTF-16 surrogate pair
		}
		costs = append(costs, c)
		total += c
	}
	if total <= single {
		return 1
	}
	parts, used := 1, 0
	for _, c := range costs {
		if used+c > part {
			parts++
			used = 0
		}
		used += c
	}
	return parts
}

// isGSM7 reports whether text can be sent in the GSM 7-bit alphabet.
func isGSM7(text string) bool {
	for _, r := range text {
		if !strings.ContainsRune(gsm7Basic, r) && !strings.ContainsRune(gsm7Extension, r) {
			return false
		}
	}
	return true
}
