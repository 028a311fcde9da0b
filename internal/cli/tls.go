package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/vigil-med/vigil/internal/domain"
)

// tlsConfig loads the given certificate and key, or, with selfSigned, the
// data directory's self-signed pair, creating it on first use.
func (a *app) tlsConfig(certFile, keyFile string, selfSigned bool) (*tls.Config, string, error) {
	if certFile == "" && keyFile == "" && !selfSigned {
		return nil, "", nil
	}
	if (certFile == "") != (keyFile == "") {
		return nil, "", usagef("--tls-cert and --tls-key go together")
	}
	note := ""
	if certFile == "" {
		certFile, keyFile = filepath.Join(a.cfg.DataDir, "tls-cert.pem"), filepath.Join(a.cfg.DataDir, "tls-key.pem")
		if _, err := os.Stat(certFile); errors.Is(err, os.ErrNotExist) {
			if err := writeSelfSigned(certFile, keyFile); err != nil {
				return nil, "", err
			}
			note = "Created a self-signed certificate in " + certFile + "; browsers will ask you to trust it.\n"
		}
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, "", domain.Errorf(domain.CodeInvalid, "cannot load the TLS certificate %s and key %s: %v", certFile, keyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, note, nil
}

// writeSelfSigned makes an ECDSA P-256 certificate for this host, valid
// for two years, and writes it and its key (readable by the owner only).
func writeSelfSigned(certFile, keyFile string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return domain.Internal(err, "cannot generate a TLS key")
	}
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	host, _ := os.Hostname()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Vigil (self-signed)", Organization: []string{"Vigil"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(2, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	if host != "" && host != "localhost" {
		tmpl.DNSNames = append(tmpl.DNSNames, host)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return domain.Internal(err, "cannot create a TLS certificate")
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return domain.Internal(err, "cannot encode the TLS key")
	}
	if err := os.MkdirAll(filepath.Dir(certFile), 0o700); err != nil {
		return domain.Errorf(domain.CodeInvalid, "cannot create %s: %v", filepath.Dir(certFile), err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return domain.Errorf(domain.CodeInvalid, "cannot write %s: %v", keyFile, err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return domain.Errorf(domain.CodeInvalid, "cannot write %s: %v", certFile, err)
	}
	return nil
}
